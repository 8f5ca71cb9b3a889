// The command table: every CommandSpec Ember knows, looked up case-insensitively by name.
// Families register their rows at start-up (Register*Family in src/commands/families.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/command.h"

namespace ember {

class CommandTable {
 public:
  CommandTable();
  void Register(CommandSpec spec);
  // nullptr when unknown. `name` in any case.
  const CommandSpec* Find(std::string_view name) const;
  // The subcommand row of a container command (CONFIG GET), or nullptr.
  const CommandSpec* FindSub(const CommandSpec* parent, std::string_view sub) const;
  const std::vector<std::unique_ptr<CommandSpec>>& all() const { return specs_; }
  size_t size() const { return specs_.size(); }

 private:
  std::vector<std::unique_ptr<CommandSpec>> specs_;
  std::unordered_map<std::string, const CommandSpec*> by_name_;
};

}  // namespace ember
