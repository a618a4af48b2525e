import FlyingFox
import FlyingSocks
import Foundation

/// The HTTP server could not listen on its address and port (typically: the port is taken by
/// a second instance on the host, or by `demo` beside a running processor).
///
/// Its description names the address, the port, the reason and the setting that changes the
/// port, so that the process can fail at once with one clear line.
public struct HTTPListenError: Error, CustomStringConvertible {
    public var address: String
    public var port: Int
    /// Why, e.g. `address already in use`.
    public var reason: String
    /// How to choose another port, e.g. `--metrics-port or CALLBACK_STREAM_METRICS_PORT`.
    public var portSetting: String

    public init(address: String, port: Int, reason: String, portSetting: String) {
        self.address = address
        self.port = port
        self.reason = reason
        self.portSetting = portSetting
    }

    /// The error for `error`, thrown when binding or listening on `address`:`port` failed.
    init(address: String, port: Int, error: any Error, portSetting: String) {
        let reason: String
        if case let SocketError.failed(type, code, _) = error {
            let text = String(cString: strerror(code)).lowercased()
            reason = code == EADDRINUSE ? "the port is already in use" : "\(type.lowercased()) failed: \(text)"
        } else {
            reason = "\(error)"
        }
        self.init(address: address, port: port, reason: reason, portSetting: portSetting)
    }

    public var description: String {
        "cannot serve HTTP (/metrics, the dashboard) on \(address):\(port): \(reason); "
            + "choose another port with \(portSetting) (0 picks any free port)"
    }
}
