import CSodium
import Custos
import Foundation

/// A `KeyProvider` that keeps its keys in memory, for the tests: what a
/// Keychain provider does on iOS, with libsodium (XChaCha20-Poly1305 to wrap,
/// Ed25519 to sign) standing in for CryptoKit, which Linux lacks.
final class InMemoryKeyProvider: KeyProvider, @unchecked Sendable {
    struct Failure: Error {}

    private let lock = NSLock()
    private var keks: [UInt32: SecureBytes] = [:]
    private var signSecret: SecureBytes?
    private var signPublic = Data()
    private var index: SecureBytes?
    private(set) var opens = 0
    private(set) var closes = 0
    private(set) var destroyAllCalls = 0
    /// Make every unwrap fail, as a Keychain that refuses access would.
    var failUnwrap = false

    init() { precondition(sodium_init() >= 0) }

    private func locked<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private static func random(_ n: Int) -> SecureBytes {
        let s = SecureBytes(zeroed: n)
        s.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, n) }
        return s
    }

    func open(directory: String, create: Bool) throws {
        try locked {
            opens += 1
            if signSecret != nil { return }
            guard create else { throw Failure() }
            keks = [1: Self.random(32)]
            index = Self.random(32)
            var pk = [UInt8](repeating: 0, count: 32)
            let sk = SecureBytes(zeroed: 64)
            sk.withUnsafeMutableBytes { _ = crypto_sign_keypair(&pk, $0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
            signSecret = sk
            signPublic = Data(pk)
        }
    }

    func close() { locked { closes += 1 } }

    func currentKEKGeneration() throws -> UInt32 {
        try locked {
            guard let g = keks.keys.max() else { throw Failure() }
            return g
        }
    }

    func createKEK() throws -> UInt32 {
        locked {
            let g = (keks.keys.max() ?? 0) + 1
            keks[g] = Self.random(32)
            return g
        }
    }

    func destroyKEK(generation: UInt32) throws {
        try locked {
            guard keks[generation] != nil else { throw CustosError.Code.notFound.error }
            guard keks.count > 1 else { throw CustosError.Code.invalidState.error }
            keks[generation] = nil
        }
    }

    var generations: [UInt32] { locked { keks.keys.sorted() } }

    func wrap(_ key: SecureBytes, generation: UInt32, associatedData: Data) throws -> Data {
        let kek = try locked { () throws -> SecureBytes in
            guard let k = keks[generation] else { throw Failure() }
            return k
        }
        var out = [UInt8](repeating: 0, count: 24 + key.count + 16)
        randombytes_buf(&out, 24)
        let nonce = Array(out[0..<24])
        var clen: UInt64 = 0
        let ad = Array(associatedData)
        let rc = out.withUnsafeMutableBufferPointer { o in
            key.withUnsafeBytes { m in
                kek.withUnsafeBytes { k in
                    crypto_aead_xchacha20poly1305_ietf_encrypt(
                        o.baseAddress! + 24, &clen, m.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(m.count),
                        ad, UInt64(ad.count), nil, nonce,
                        k.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
            }
        }
        guard rc == 0 else { throw Failure() }
        return Data(out)
    }

    func unwrap(_ wrappedData: Data, generation: UInt32, associatedData: Data) throws -> SecureBytes {
        let wrapped = Array(wrappedData), ad = Array(associatedData)
        let kek = try locked { () throws -> SecureBytes in
            guard !failUnwrap, let k = keks[generation] else { throw Failure() }
            return k
        }
        guard wrapped.count >= 40 else { throw Failure() }
        let out = SecureBytes(zeroed: wrapped.count - 40)
        var mlen: UInt64 = 0
        let rc = out.withUnsafeMutableBytes { m in
            kek.withUnsafeBytes { k in
                wrapped.withUnsafeBufferPointer { w in
                    crypto_aead_xchacha20poly1305_ietf_decrypt(
                        m.baseAddress?.assumingMemoryBound(to: UInt8.self), &mlen, nil, w.baseAddress! + 24,
                        UInt64(wrapped.count - 24), ad, UInt64(ad.count), w.baseAddress!,
                        k.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
            }
        }
        guard rc == 0 else { throw Failure() }
        return out
    }

    func sign(_ messageData: Data) throws -> Data {
        let message = Array(messageData)
        let sk = try locked { () throws -> SecureBytes in
            guard let sk = signSecret else { throw Failure() }
            return sk
        }
        var sig = [UInt8](repeating: 0, count: 64)
        _ = sk.withUnsafeBytes {
            crypto_sign_detached(&sig, nil, message, UInt64(message.count), $0.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        return Data(sig)
    }

    func publicKey() throws -> Data {
        try locked {
            guard signSecret != nil else { throw Failure() }
            return signPublic
        }
    }

    func indexKey() throws -> SecureBytes {
        try locked {
            guard let k = index else { throw Failure() }
            return k
        }
    }

    func destroyAll() throws {
        locked {
            destroyAllCalls += 1
            keks = [:]
            signSecret = nil
            signPublic = Data()
            index = nil
        }
    }

    var isHardwareBacked: Bool { false }
}

extension CustosError.Code {
    /// A `CustosError` with this code, as a provider throws to pass a code through.
    var error: CustosError { CustosError(self, detail: "test provider") }
}
