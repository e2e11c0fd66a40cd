import CCustos
import Foundation

/// A record's id in the vault: positive, never reused.
public typealias RecordID = Int64

/// What the vault knows about a record besides its payload.
public struct VaultRecordInfo: Sendable, Hashable, Codable {
    public let id: RecordID
    public let purpose: UInt32
    public let category: UInt32
    public let created: Date
    /// nil: no time limit (kept until an event such as a withdrawal or a reset).
    public let expires: Date?
    /// Payload bytes; of a stream, its whole length.
    public let size: Int
    /// The record is a sealed stream (`createStream`): read it with
    /// `openStream(id:)`; `get` refuses it with `.invalidState`.
    public let isStreamed: Bool

    init(_ i: custos_vault_info) {
        id = i.id
        purpose = i.purpose
        category = i.category
        created = Date(timeIntervalSince1970: TimeInterval(i.created))
        expires = i.expires == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(i.expires))
        size = i.size
        isStreamed = i.flags & vaultStreamedFlag != 0
    }

    private enum CodingKeys: String, CodingKey {
        case id, purpose, category, created, expires, size, isStreamed
    }

    /// Decodes what `encode(to:)` writes; a value encoded before streams
    /// existed (no `isStreamed`) decodes as not streamed.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(RecordID.self, forKey: .id)
        purpose = try c.decode(UInt32.self, forKey: .purpose)
        category = try c.decode(UInt32.self, forKey: .category)
        created = try c.decode(Date.self, forKey: .created)
        expires = try c.decodeIfPresent(Date.self, forKey: .expires)
        size = try c.decode(Int.self, forKey: .size)
        isStreamed = try c.decodeIfPresent(Bool.self, forKey: .isStreamed) ?? false
    }
}

/// custos_vault_info.flags: CUSTOS_VAULT_STREAMED.
private let vaultStreamedFlag = UInt32(CUSTOS_VAULT_STREAMED)

/// An X25519 key pair that vault exports are encrypted to.
public struct ExportKeyPair: Sendable {
    /// 32 bytes, to give to the exporting store.
    public let publicKey: Data
    public let secretKey: SecureBytes

    /// A fresh key pair.
    public static func generate() throws -> ExportKeyPair {
        var pk = [UInt8](repeating: 0, count: custos_export_public_key_bytes())
        let sk = SecureBytes(zeroed: custos_export_secret_key_bytes())
        let rc = sk.withUnsafeMutableBytes { custos_export_keypair(&pk, $0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
        try checkCall(rc, nil)
        return ExportKeyPair(publicKey: Data(pk), secretKey: sk)
    }

    public init(publicKey: Data, secretKey: SecureBytes) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }
}

/// One payload of a batch for `putMany`, with the purpose and category the
/// gate is asked about (Java: `VaultItem`). The payload is held by
/// reference, not copied. Not `Codable`: the payload is a secret.
public struct VaultItem: Sendable {
    public let payload: SecureBytes
    public let purpose: UInt32
    public let category: UInt32

    public init(payload: SecureBytes, purpose: UInt32, category: UInt32) {
        self.payload = payload
        self.purpose = purpose
        self.category = category
    }
}

/// One record as `get` opens it: the payload, wiped on release, and what the
/// vault knows about it. Not `Codable`: the payload is a secret.
public struct VaultRecord: Sendable {
    public let payload: SecureBytes
    public let info: VaultRecordInfo
}

extension Custos {
    /// The largest payload of one record (16 MiB).
    public static var maxPayloadSize: Int { custos_vault_payload_max() }

    /// Seals and stores one payload, after asking the gate: a denial throws
    /// `.denied` (the message names the reason) and nothing is written.
    public func put(_ payload: SecureBytes, subject: Subject, purpose: UInt32, category: UInt32) throws -> RecordID {
        try withHandle { h in
            var id: custos_record_id = 0
            let rc = payload.withUnsafeBytes {
                custos_vault_put(h, &id, subject.rawValue, purpose, category, $0.baseAddress, $0.count)
            }
            try checkCall(rc, h)
            return id
        }
    }

    /// Stores several payloads of one subject in one transaction: all or
    /// none. Returns their record ids, in the order of `items`. A denial of
    /// any of them throws `.denied` and nothing is written; no items throws
    /// `.invalidArgument`.
    public func putMany(_ items: [VaultItem], subject: Subject) throws -> [RecordID] {
        try withHandle { h in
            var ids = [custos_record_id](repeating: 0, count: items.count)
            // The payload pointers stay valid while `items` keeps every SecureBytes alive.
            let cItems = items.map { item in
                custos_vault_item(purpose: item.purpose, category: item.category,
                                  data: item.payload.baseAddress, len: item.payload.count)
            }
            let rc = withExtendedLifetime(items) {
                custos_vault_put_many(h, &ids, subject.rawValue, cItems, cItems.count)
            }
            try checkCall(rc, h)
            return ids
        }
    }

    /// The tuples `putMany` took before `VaultItem`. Disfavoured, so that
    /// `putMany([], subject:)` is not ambiguous.
    @_disfavoredOverload
    @available(*, deprecated, message: "pass [VaultItem(payload:purpose:category:)]")
    public func putMany(_ items: [(payload: SecureBytes, purpose: UInt32, category: UInt32)],
                        subject: Subject) throws -> [RecordID] {
        try putMany(items.map { VaultItem(payload: $0.payload, purpose: $0.purpose, category: $0.category) },
                    subject: subject)
    }

    /// Opens one record. Throws `.notFound`, `.key` (its key was destroyed:
    /// erased), `.corrupt` (it failed authentication), or `.invalidState`
    /// (the record is a stream: use `openStream(id:)`).
    public func get(_ id: RecordID) throws -> VaultRecord {
        try withHandle { h in
            var size = 256
            while true {
                let out = SecureBytes(zeroed: size)
                var len = 0
                var info = custos_vault_info()
                let rc = out.withUnsafeMutableBytes {
                    custos_vault_get(h, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), size, &len, &info, id)
                }
                if rc == Int32(CUSTOS_ERANGE), len > size { size = len; continue }
                try checkCall(rc, h)
                let payload = len == size ? out : out.withUnsafeBytes { SecureBytes($0.prefix(len)) }
                return VaultRecord(payload: payload, info: VaultRecordInfo(info))
            }
        }
    }

    /// The ids of a subject's records (streams included), oldest first.
    public func records(of subject: Subject) throws -> [RecordID] {
        try withHandle { h in
            var size = 64
            while true {
                var ids = [custos_record_id](repeating: 0, count: size)
                var n = 0
                let rc = custos_vault_list(h, &ids, size, &n, subject.rawValue)
                if rc == Int32(CUSTOS_ERANGE), n > size { size = n; continue }
                try checkCall(rc, h)
                return Array(ids[0..<n])
            }
        }
    }

    /// Deletes one record; throws `.notFound` if absent.
    public func delete(_ id: RecordID) throws {
        try withHandle { h in try checkCall(custos_vault_delete(h, id), h) }
    }

    /// Removes every record whose retention has expired; returns how many.
    @discardableResult
    public func maintain() throws -> UInt64 {
        try withHandle { h in
            var removed: UInt64 = 0
            try checkCall(custos_maintain(h, &removed), h)
            return removed
        }
    }

    /// Re-wraps every data key under a new KEK generation and destroys the old one.
    public func rotateKEK() throws {
        try withHandle { h in try checkCall(custos_vault_rotate_kek(h), h) }
    }

    /// Writes every record of `subject` to `path`, encrypted to `recipientPublicKey` (32 bytes).
    public func exportRecords(of subject: Subject, to path: String, recipientPublicKey: some DataProtocol) throws {
        try withHandle { h in
            let rc = try withFixedBytes(recipientPublicKey, count: custos_export_public_key_bytes(), "recipientPublicKey") {
                custos_vault_export(h, path, subject.rawValue, $0)
            }
            try checkCall(rc, h)
        }
    }

    /// Imports an export made for `keyPair` as records of `subject`, through
    /// the gate; all or nothing. Returns the number of records stored.
    @discardableResult
    public func importRecords(from path: String, subject: Subject, keyPair: ExportKeyPair) throws -> Int {
        try withHandle { h in
            var n = 0
            guard keyPair.secretKey.count == custos_export_secret_key_bytes() else {
                throw CustosError(.invalidArgument, detail: "secretKey must be \(custos_export_secret_key_bytes()) bytes")
            }
            let rc = try withFixedBytes(keyPair.publicKey, count: custos_export_public_key_bytes(), "publicKey") { pk in
                keyPair.secretKey.withUnsafeBytes {
                    custos_vault_import(h, &n, path, subject.rawValue, pk, $0.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
            }
            try checkCall(rc, h)
            return n
        }
    }
}
