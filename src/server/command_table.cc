#include "server/command_table.h"

#include "base/assert.h"
#include "base/strutil.h"
#include "commands/families.h"

namespace ember {

CommandTable::CommandTable() { RegisterAllFamilies(*this); }

void CommandTable::Register(CommandSpec spec) {
  auto p = std::make_unique<CommandSpec>(std::move(spec));
  std::string key = ToLower(p->name);
  EMBER_CHECK(by_name_.find(key) == by_name_.end());
  by_name_[key] = p.get();
  specs_.push_back(std::move(p));
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  char buf[64];
  if (name.size() >= sizeof(buf)) return nullptr;
  for (size_t i = 0; i < name.size(); i++) {
    char c = name[i];
    buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  auto it = by_name_.find(std::string(buf, name.size()));
  return it == by_name_.end() ? nullptr : it->second;
}

const CommandSpec* CommandTable::FindSub(const CommandSpec* parent, std::string_view sub) const {
  for (const auto& s : parent->subcommands) {
    std::string_view full(s.name);
    size_t bar = full.find('|');
    std::string_view tail = bar == std::string_view::npos ? full : full.substr(bar + 1);
    if (EqualsIgnoreCase(tail, sub)) return &s;
  }
  return nullptr;
}

std::vector<int> CommandKeyPositions(const CommandSpec& spec, size_t argc) {
  std::vector<int> out;
  if (spec.first_key <= 0) return out;
  int last = spec.last_key >= 0 ? spec.last_key : static_cast<int>(argc) + spec.last_key;
  int step = spec.key_step > 0 ? spec.key_step : 1;
  for (int i = spec.first_key; i <= last && i < static_cast<int>(argc); i += step) out.push_back(i);
  return out;
}

std::vector<int> CommandKeyPositions(const CommandSpec& spec,
                                     std::span<const std::string_view> args) {
  if (spec.get_keys) return spec.get_keys(args);
  return CommandKeyPositions(spec, args.size());
}

}  // namespace ember
