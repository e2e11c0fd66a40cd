// swift-tools-version:5.9
// The Custos Swift package: an idiomatic Swift API over the Custos C core.
//
// On Linux (and in this repository's tests) the C core comes from an
// installed libcustos found with pkg-config (`custos.pc`). On iOS the same
// CCustos module is provided by an XCFramework of libcustos built with the
// iOS SDK; see README.md.
import PackageDescription

let package = Package(
    name: "Custos",
    products: [
        .library(name: "Custos", targets: ["Custos"]),
    ],
    targets: [
        .systemLibrary(
            name: "CCustos",
            path: "Sources/CCustos",
            pkgConfig: "custos",
            providers: [.apt(["libsodium-dev", "libsqlite3-dev", "libprotobuf-c-dev", "libyaml-dev"])]
        ),
        .target(
            name: "Custos",
            dependencies: ["CCustos"],
            path: "Sources/Custos"
        ),
        .testTarget(
            name: "CustosTests",
            dependencies: ["Custos"],
            path: "Tests/CustosTests"
        ),
    ]
)
