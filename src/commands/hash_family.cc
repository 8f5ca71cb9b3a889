// Hash command family (being written).
#include "commands/families.h"
#include "server/command_table.h"

namespace ember {
void RegisterHashFamily(CommandTable& t) { (void)t; }
}  // namespace ember
