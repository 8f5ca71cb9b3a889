// ember-check-aof: checks (and with --fix repairs the tail of) an AOF directory or a single AOF file,
// in redis-check-aof's output style. The implementation is src/persist/aof/check_aof.cc, which
// shares the reader and loader with the server. This file includes no project header on purpose:
// the tool rule compiles it on its own and links it with build/libember.a.
int EmberCheckAofMain(int argc, char** argv);

int main(int argc, char** argv) { return EmberCheckAofMain(argc, argv); }
