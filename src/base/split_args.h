// Splitting and quoting with Redis's rules (sds.c): used for redis.conf lines, CONFIG REWRITE
// output and the AOF manifest.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ember {

// sdssplitargs: arguments separated by spaces, honouring "double quotes" (with \n \r \t \b \a
// \xHH and \<char> escapes) and 'single quotes' (with \'). A closing quote must be followed by a
// space or the end. Returns false on unbalanced quotes.
bool SplitArgs(std::string_view line, std::vector<std::string>* out);
// sdscatrepr: "quoted" text with escapes for anything not printable.
std::string QuoteArg(std::string_view s);

}  // namespace ember
