// Reading CSV text (no quoting) the same way in every CSV reader: trimmed cells, blank lines
// skipped, a header row, and rows that must match its width.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "models/data/dataset.hpp"

namespace sgdsim::csv {

inline std::string_view trim(std::string_view text) {
  constexpr std::string_view kBlank = " \t\r";
  const auto first = text.find_first_not_of(kBlank);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kBlank) - first + 1);
}

inline std::vector<std::string_view> split_cells(std::string_view line) {
  std::vector<std::string_view> cells;
  std::size_t start = 0;
  for (;;) {
    const auto comma = line.find(',', start);
    cells.push_back(trim(line.substr(start, comma - start)));
    if (comma == std::string_view::npos) return cells;
    start = comma + 1;
  }
}

// Calls on_header(cells) for the first non-blank line and on_row(cells) for every later one,
// after checking it has as many cells as the header; `line_number` follows the walk (blank lines
// count) so that callbacks can name the line. Returns the header's width (0: no header).
template <class OnHeader, class OnRow>
std::size_t for_each_row(std::string_view content, const std::string& path,
                         std::size_t& line_number, OnHeader on_header, OnRow on_row) {
  std::size_t num_columns = 0;
  std::size_t start = 0;
  while (start < content.size()) {
    ++line_number;
    auto end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    const std::string_view line = trim(content.substr(start, end - start));
    start = end + 1;
    if (line.empty()) continue;
    const auto cells = split_cells(line);
    if (num_columns == 0) {
      num_columns = cells.size();
      on_header(cells);
      continue;
    }
    if (cells.size() != num_columns) {
      throw DataError(path + ":" + std::to_string(line_number) + ": expected " +
                      std::to_string(num_columns) + " columns (as in the header), found " +
                      std::to_string(cells.size()));
    }
    on_row(cells);
  }
  return num_columns;
}

}  // namespace sgdsim::csv
