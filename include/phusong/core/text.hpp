#pragma once
/// Small text helpers shared by the stages that name files and write XML/HTML.

#include <string>
#include <string_view>

namespace phusong {

/// "Viettel LTE B3" → "viettel_lte_b3": a folder or file name that survives every file system
/// (ASCII letters and digits lower-cased; every other run of characters becomes one '_').
[[nodiscard]] std::string slug(std::string_view name);

/// Text escaped for XML attributes and content, and for HTML (& < > " ').
[[nodiscard]] std::string xml_escape(std::string_view s);

}  // namespace phusong
