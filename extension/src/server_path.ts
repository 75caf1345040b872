// Where the hearth binary is: the hearth.server.path setting, else the one
// bundled in the .vsix under bin/<platform>-<arch>/.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function bundledServerPath(extensionPath: string, platform = process.platform, arch = process.arch): string {
  const exe = platform === 'win32' ? 'hearth.exe' : 'hearth';
  return path.join(extensionPath, 'bin', `${platform}-${arch}`, exe);
}

// resolveServerPath returns the binary to run, or an error a user can act on.
// A bundled binary that lost its executable bit in packaging gets it back.
export function resolveServerPath(configured: string, extensionPath: string): { path: string } | { error: string } {
  if (configured) {
    if (!fs.existsSync(configured)) return { error: `hearth.server.path is set to ${configured}, which does not exist.` };
    return { path: configured };
  }
  const bundled = bundledServerPath(extensionPath);
  if (!fs.existsSync(bundled)) {
    return { error: `This build of Hearth carries no server for ${process.platform}-${process.arch} (looked for ${bundled}). Set hearth.server.path to a hearth binary.` };
  }
  if (process.platform !== 'win32') {
    try {
      fs.accessSync(bundled, fs.constants.X_OK);
    } catch {
      fs.chmodSync(bundled, 0o755);
    }
  }
  return { path: bundled };
}
