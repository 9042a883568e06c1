#pragma once
/// Reading one row of an input table: every bad field becomes a Problem naming the file, the row
/// and the field, with the value and what is expected, so that a whole table is reported at once.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "phusong/core/error.hpp"

namespace phusong {

/// A value already in phusong's unit (RowReader::number's default).
struct SameUnit {
    std::string name;  ///< empty: the messages add no unit to the value
    [[nodiscard]] std::optional<double> convert(double v) const { return v; }
};

class RowReader {
public:
    /// `decimal_comma`: read "46,5" as 46.5 (tables whose separator is not a comma, as exports in
    /// many locales write them).
    RowReader(std::string file, std::string where, ProblemList& problems, bool decimal_comma = false)
        : m_file(std::move(file)), m_where(std::move(where)), m_problems(&problems), m_decimal_comma(decimal_comma) {}

    void problem(std::string_view field, std::string message) {
        m_problems->add(m_file, m_where + ", field " + std::string(field), std::move(message));
    }

    /// A non-empty text field.
    std::string text(std::string_view field, const std::string& value) {
        if (value.empty()) problem(field, "missing value");
        return value;
    }

    /// A finite number, read in `in` and converted to phusong's unit (`in.name`: how messages write
    /// the given unit; `in.convert(v)`: the value in phusong's unit, nullopt where it has none), in
    /// [lo, hi] (hi exclusive when `hi_open`), with its unit for the message.
    template <typename Unit = SameUnit>
    std::optional<double> number(std::string_view field, const std::string& value, double lo, double hi,
                                 std::string_view unit, bool hi_open = false, const Unit& in = {}) {
        if (value.empty()) {
            problem(field, "missing value: expected a number in " + range(lo, hi, unit, hi_open));
            return std::nullopt;
        }
        std::string text = value;
        if (m_decimal_comma && std::count(text.begin(), text.end(), ',') == 1 && text.find('.') == std::string::npos) {
            text[text.find(',')] = '.';
        }
        double v = 0;
        const char* begin = text.data();
        const char* end = begin + text.size();
        while (begin < end && *begin == ' ') ++begin;
        while (end > begin && end[-1] == ' ') --end;
        if (begin < end && *begin == '+') ++begin;
        auto [ptr, ec] = std::from_chars(begin, end, v);
        if (ec != std::errc() || ptr != end) {
            problem(field, "\"" + value + "\" is not a number: expected " + range(lo, hi, unit, hi_open));
            return std::nullopt;
        }
        if (!std::isfinite(v)) {
            problem(field, "\"" + value + "\" is not a finite number: expected " + range(lo, hi, unit, hi_open));
            return std::nullopt;
        }
        const std::string given = in.name.empty() ? value : value + " " + in.name;
        const std::optional<double> converted = in.convert(v);
        if (!converted) {
            problem(field, "value " + given + " has no equivalent in " + std::string(unit) + ": expected a positive power");
            return std::nullopt;
        }
        if (*converted < lo || *converted > hi || (hi_open && *converted == hi)) {
            const std::string shown =
                in.name.empty() ? given : given + " (" + fmt_num(*converted) + " " + std::string(unit) + ")";
            problem(field, "value " + shown + " is out of range: expected " + range(lo, hi, unit, hi_open));
            return std::nullopt;
        }
        return converted;
    }

private:
    static std::string fmt_num(double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", v);
        return buf;
    }
    static std::string range(double lo, double hi, std::string_view unit, bool hi_open) {
        return fmt_num(lo) + " ≤ value " + (hi_open ? "< " : "≤ ") + fmt_num(hi) + " " + std::string(unit);
    }

    std::string m_file;
    std::string m_where;
    ProblemList* m_problems;
    bool m_decimal_comma;
};

}  // namespace phusong
