#include "phusong/core/error.hpp"

namespace phusong {
namespace {

std::string join(const std::vector<Problem>& problems) {
    std::string text;
    if (problems.size() > 1) {
        text = std::to_string(problems.size()) + " problems in the input:";
    }
    for (const auto& p : problems) {
        if (!text.empty()) text += "\n  ";
        text += p.to_string();
    }
    return text;
}

}  // namespace

std::string Problem::to_string() const {
    std::string s = file;
    if (!where.empty()) s += (s.empty() ? "" : ", ") + where;
    return s.empty() ? message : s + ": " + message;
}

InputError::InputError(std::vector<Problem> problems)
    : Error(join(problems)), m_problems(std::move(problems)) {}

InputError::InputError(std::string file, std::string where, std::string message)
    : InputError(std::vector<Problem>{{std::move(file), std::move(where), std::move(message)}}) {}

void ProblemList::add(std::string file, std::string where, std::string message) {
    m_problems.push_back({std::move(file), std::move(where), std::move(message)});
}

void ProblemList::append(const ProblemList& other) {
    m_problems.insert(m_problems.end(), other.m_problems.begin(), other.m_problems.end());
}

void ProblemList::throw_if_any() const {
    if (!m_problems.empty()) throw InputError(m_problems);
}

}  // namespace phusong
