// Placeholder entry point; the server is assembled in src/server/.
#include <cstdio>

int main(int argc, char** argv) {
  std::printf("ember-server: not yet assembled\n");
  return 1;
}
