#pragma once
/// Reading one row of an input table: every bad field becomes a Problem naming the file, the row
/// and the field, with the value and what is expected, so that a whole table is reported at once.

#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "phusong/core/error.hpp"

namespace phusong {

class RowReader {
public:
    RowReader(std::string file, std::string where, ProblemList& problems)
        : m_file(std::move(file)), m_where(std::move(where)), m_problems(&problems) {}

    void problem(std::string_view field, std::string message) {
        m_problems->add(m_file, m_where + ", field " + std::string(field), std::move(message));
    }

    /// A non-empty text field.
    std::string text(std::string_view field, const std::string& value) {
        if (value.empty()) problem(field, "missing value");
        return value;
    }

    /// A finite number in [lo, hi] (hi exclusive when `hi_open`), with its unit for the message.
    std::optional<double> number(std::string_view field, const std::string& value, double lo, double hi,
                                 std::string_view unit, bool hi_open = false) {
        if (value.empty()) {
            problem(field, "missing value: expected a number in " + range(lo, hi, unit, hi_open));
            return std::nullopt;
        }
        double v = 0;
        const char* begin = value.data();
        const char* end = begin + value.size();
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
        if (v < lo || v > hi || (hi_open && v == hi)) {
            problem(field, "value " + value + " is out of range: expected " + range(lo, hi, unit, hi_open));
            return std::nullopt;
        }
        return v;
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
};

}  // namespace phusong
