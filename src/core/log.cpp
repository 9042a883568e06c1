#include "phusong/core/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace phusong {
namespace {

std::atomic<bool> g_quiet{false};

}  // namespace

void init_logging(Verbosity verbosity) {
    auto logger = spdlog::stderr_color_mt("phusong");
    logger->set_pattern("%^%l%$: %v");
    switch (verbosity) {
        case Verbosity::quiet: logger->set_level(spdlog::level::warn); break;
        case Verbosity::normal: logger->set_level(spdlog::level::info); break;
        case Verbosity::verbose: logger->set_level(spdlog::level::debug); break;
    }
    g_quiet = verbosity == Verbosity::quiet;
    spdlog::set_default_logger(logger);
}

std::string progress_line(std::string_view label, std::size_t done, std::size_t total, double eta_s) {
    const double frac = total == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(frac * kWidth);
    std::string bar(static_cast<std::size_t>(std::clamp(filled, 0, kWidth)), '#');
    bar.resize(kWidth, '.');
    char text[256];
    std::snprintf(text, sizeof text, " [%s] %zu/%zu  %.0f%%  ETA %.0f s", bar.c_str(), done, total, frac * 100.0,
                  eta_s);
    // "\r" returns to the start of the line and "\033[K" (ECMA-48 EL, erase to the end of the line)
    // clears what a longer previous line left there ("ETA 100 s" then "ETA 97 s" gave "ETA 97 ss").
    return "\r" + std::string(label) + text + "\033[K";
}

Progress::Progress(std::string label, std::size_t total)
    : m_label(std::move(label)),
      m_total(total),
      m_start(std::chrono::steady_clock::now()),
      m_last_report(m_start),
      m_tty(!g_quiet && isatty(STDERR_FILENO) != 0) {}

Progress::~Progress() {
    try {
        finish();
    } catch (...) {  // a destructor only reports
    }
}

void Progress::advance(std::size_t n) {
    const std::size_t done = m_done.fetch_add(n) + n;
    report(done, false);
}

void Progress::finish() {
    std::lock_guard lock(m_mutex);
    if (m_finished) return;
    m_finished = true;
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    if (m_tty) std::fputs("\r\033[K", stderr);
    if (!g_quiet) spdlog::info("{}: {} of {} done in {:.1f} s", m_label, m_done.load(), m_total, s);
}

void Progress::report(std::size_t done, bool final) {
    if (g_quiet || m_total == 0) return;
    const auto now = std::chrono::steady_clock::now();
    std::unique_lock lock(m_mutex, std::try_to_lock);
    if (!lock.owns_lock() || m_finished) return;  // another thread is drawing; skip this tick
    const double elapsed = std::chrono::duration<double>(now - m_start).count();
    const double frac = static_cast<double>(done) / static_cast<double>(m_total);
    const double eta = frac > 0 ? elapsed * (1.0 - frac) / frac : 0.0;
    if (m_tty) {
        if (!final && now - m_last_report < std::chrono::milliseconds(100)) return;
        m_last_report = now;
        std::fputs(progress_line(m_label, done, m_total, eta).c_str(), stderr);
        std::fflush(stderr);
        return;
    }
    const auto decile = static_cast<std::size_t>(frac * 10.0);
    if (decile > m_last_reported_decile || now - m_last_report > std::chrono::seconds(5)) {
        m_last_reported_decile = decile;
        m_last_report = now;
        spdlog::info("{}: {}/{} ({:.0f}%), ETA {:.0f} s", m_label, done, m_total, frac * 100.0, eta);
    }
}

}  // namespace phusong
