import CCustos
import Foundation

/// Every failure Custos reports: the C core's code and the detail of the
/// failure. Switch on `code` to tell an authentication failure from a
/// storage failure; nothing is ever reduced to `nil`. As a `LocalizedError`
/// its `localizedDescription` is `message`, the core's detail included.
public struct CustosError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// The C core's error codes (custos/common.h).
    public enum Code: Int32, Sendable {
        case invalidArgument = -1
        case outOfMemory = -2
        case io = -3
        case diskFull = -4
        case corrupt = -5
        case version = -6
        case notAStore = -7
        case key = -8
        case denied = -9
        case notFound = -10
        case alreadyExists = -11
        case signature = -12
        case replay = -13
        case manifest = -14
        case busy = -15
        case bufferTooSmall = -16
        case invalidState = -17
        case crypto = -18
        case `internal` = -19
        case canceled = -20
        case unsupported = -21
        case closed = -1000  // used after close(); not a C code
        case unknown = -1001
    }

    public let code: Code
    /// The C code as returned (negative).
    public let rawCode: Int32
    /// "CUSTOS_E...: meaning: detail".
    public let message: String
    /// The detail alone (custos_errmsg, custos_last_error, or what the
    /// binding found); nil when the failure has none.
    public let detail: String?

    public var description: String { message }

    // MARK: LocalizedError

    /// `message`: the code's name, its meaning and the core's detail.
    public var errorDescription: String? { message }

    /// The code's meaning alone ("CUSTOS_EKEY: ..."), without the detail.
    public var failureReason: String? {
        code == .closed ? message : String(cString: custos_strerror(rawCode))
    }

    /// What the caller can do, for the codes where that is clear.
    public var recoverySuggestion: String? {
        switch code {
        case .closed: return "Open the store again with a new Custos object."
        case .busy: return "The store is open elsewhere (another Custos object or process): close that one first."
        case .denied: return "Record the consent the purpose needs, or use a purpose the data is declared for."
        case .diskFull: return "Free storage on the device and retry."
        case .version: return "The store was written by a newer Custos: update the app."
        case .key: return "Check that the key provider holds this store's keys and is accessible (a locked Keychain before the first unlock)."
        case .canceled: return "The erase is finished by the next open of the store or the next erase."
        case .replay: return "The message was applied already; ask the peer for a new one."
        case .unsupported: return "The store has records sealed with AES-256-GCM: open it on a device whose CPU has AES instructions."
        default: return nil
        }
    }

    /// An error with `code`, for a `KeyProvider` to throw when it wants the
    /// core to see that code rather than CUSTOS_EKEY.
    public init(_ code: Code, detail: String? = nil) {
        self.init(rawCode: code.rawValue, detail: detail)
    }

    init(rawCode: Int32, detail: String?) {
        self.rawCode = rawCode
        self.code = Code(rawValue: rawCode) ?? .unknown
        self.detail = detail.flatMap { $0.isEmpty ? nil : $0 }
        let name = String(cString: custos_strerror(rawCode))
        if let detail, !detail.isEmpty {
            self.message = "\(name): \(detail)"
        } else {
            self.message = name
        }
    }

    static let closed = CustosError(closedMessage: "Custos: this store is closed")

    private init(closedMessage: String) {
        self.rawCode = CustosError.Code.closed.rawValue
        self.code = .closed
        self.message = closedMessage
        self.detail = nil
    }
}
