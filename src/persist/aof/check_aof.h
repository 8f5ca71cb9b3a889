// ember-check-aof as a library function, so the tool's main() is one line and tests can run it.
//
//   ember-check-aof [--fix] <file.manifest|file.aof>
//
// Output on stdout in redis-check-aof's style; --fix reads its y/N confirmation from stdin.
// Returns the process exit code: 0 valid (or fixed), 1 invalid or unusable input.
#pragma once

namespace ember::aof {
int CheckAofMain(int argc, char** argv);
}  // namespace ember::aof
