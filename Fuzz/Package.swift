// swift-tools-version: 6.1
import PackageDescription

/// libFuzzer target for the callback-stream core (decoder → interaction state → encoder).
/// Built and run by `run.sh`; see README.md. Separate from the main package because it needs
/// `-sanitize=fuzzer,address`, which cannot be set per target in SwiftPM.
///
/// The parent package is a path dependency; SwiftPM names it after its directory, which is not
/// fixed (a clone, a worktree), so the identity is computed from this package's location.
let parentIdentity =
    Context.packageDirectory.split(separator: "/").dropLast().last.map { $0.lowercased() } ?? "callback-stream"

let package = Package(
    name: "callback-stream-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../")
    ],
    targets: [
        .executableTarget(
            name: "FuzzDecoder",
            dependencies: [.product(name: "CallbackStreamCore", package: parentIdentity)],
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
