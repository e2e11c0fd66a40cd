import CCustos

/// Every failure Custos reports: the C core's code and the detail of the
/// failure. Switch on `code` to tell an authentication failure from a
/// storage failure; nothing is ever reduced to `nil`.
public struct CustosError: Error, Sendable, CustomStringConvertible {
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
        case closed = -1000  // used after close(); not a C code
        case unknown = -1001
    }

    public let code: Code
    /// The C code as returned (negative).
    public let rawCode: Int32
    /// "CUSTOS_E...: meaning: detail".
    public let message: String

    public var description: String { message }

    /// An error with `code`, for a `KeyProvider` to throw when it wants the
    /// core to see that code rather than CUSTOS_EKEY.
    public init(_ code: Code, detail: String? = nil) {
        self.init(rawCode: code.rawValue, detail: detail)
    }

    init(rawCode: Int32, detail: String?) {
        self.rawCode = rawCode
        self.code = Code(rawValue: rawCode) ?? .unknown
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
    }
}
