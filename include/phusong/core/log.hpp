#pragma once
/// Logging (spdlog, to stderr) and progress reporting.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

namespace phusong {

enum class Verbosity { quiet, normal, verbose };

/// Sets up the process-wide logger on stderr. Call once from main.
void init_logging(Verbosity verbosity);

/// The terminal's progress line: "\rLABEL [####......] done/total  P%  ETA N s", ended by the
/// erase-to-end-of-line control so that a shorter line leaves nothing of the one before.
[[nodiscard]] std::string progress_line(std::string_view label, std::size_t done, std::size_t total,
                                        double eta_s);

/// Progress of one stage: a bar with count and ETA on a terminal, plain periodic log lines
/// (every 10% or 5 s) otherwise. Thread-safe: workers call advance() concurrently.
class Progress {
public:
    Progress(std::string label, std::size_t total);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    void advance(std::size_t n = 1);
    /// Prints the final line (count and elapsed time). Called by the destructor if not before.
    void finish();

private:
    void report(std::size_t done, bool final);

    std::string m_label;
    std::size_t m_total;
    std::atomic<std::size_t> m_done{0};
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_last_report;
    std::size_t m_last_reported_decile = 0;
    bool m_tty;
    bool m_finished = false;
    std::mutex m_mutex;
};

}  // namespace phusong
