import Foundation
import PackagePlugin

/// Writes `FedtuneVersion.swift` before each build of the fedtune executable: the
/// release and the git commit the binary was built from (`fedtune --version`), or
/// "unknown" outside a git checkout.
@main
struct VersionStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("generated")
        let file = output.appendingPathComponent("FedtuneVersion.swift").path
        let package = context.package.directoryURL.path
        let script = """
            commit=$(git -C "\(package)" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
            dirty=$(git -C "\(package)" status --porcelain --untracked-files=no 2>/dev/null | head -c1)
            [ -n "$dirty" ] && commit="$commit+changes"
            mkdir -p "\(output.path)"
            printf 'let fedtuneCommit = "%s"\\n' "$commit" > "\(file).tmp"
            cmp -s "\(file).tmp" "\(file)" && rm "\(file).tmp" || mv "\(file).tmp" "\(file)"
            """
        return [
            .prebuildCommand(
                displayName: "Stamping the fedtune version",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script],
                outputFilesDirectory: output
            )
        ]
    }
}
