// SORT and SORT_RO (sort_command.cc), registered by the set family.
#pragma once

namespace ember {
class CommandTable;
void RegisterSortCommands(CommandTable& t);
}  // namespace ember
