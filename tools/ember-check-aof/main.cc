// ember-check-aof: checks (and with --fix repairs the tail of) an AOF directory or a single AOF file,
// in redis-check-aof's output style. The implementation is src/persist/aof/check_aof.cc, which
// shares the reader and loader with the server.
#include "persist/aof/check_aof.h"

int main(int argc, char** argv) { return ember::aof::CheckAofMain(argc, argv); }
