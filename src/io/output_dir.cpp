#include "phusong/io/output_dir.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "phusong/core/error.hpp"

namespace phusong::io {
namespace fs = std::filesystem;

std::size_t remove_stale_temporaries(const fs::path& dir, const std::string& prefix) {
    std::error_code ec;
    std::size_t removed = 0;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        for (const char* kind : {".tmp-", ".old-"}) {
            const std::string head = prefix + kind;
            if (name.rfind(head, 0) != 0 || name.size() == head.size()) continue;
            const std::string pid = name.substr(head.size());
            if (pid.find_first_not_of("0123456789") != std::string::npos || pid.size() > 9) continue;
            // kill(pid, 0) fails with ESRCH when no such process exists; EPERM means it runs.
            if (kill(static_cast<pid_t>(std::stol(pid)), 0) == 0 || errno != ESRCH) continue;
            std::error_code rm;
            fs::remove_all(it->path(), rm);
            if (!rm) {
                spdlog::warn("removed {}, left by an earlier run (process {}) that no longer runs", it->path().string(), pid);
                ++removed;
            }
        }
    }
    return removed;
}

OutputDir::OutputDir(fs::path destination, bool overwrite)
    : m_destination(fs::absolute(std::move(destination)).lexically_normal()), m_overwrite(overwrite) {
    if (m_destination.filename().empty()) m_destination = m_destination.parent_path();
    std::error_code ec;
    if (fs::exists(m_destination, ec) && !m_overwrite) {
        throw UsageError("output folder " + m_destination.string() +
                         " already exists: pass --overwrite to replace it, or choose another --out");
    }
    if (fs::exists(m_destination, ec) && !fs::is_directory(m_destination, ec)) {
        throw UsageError("output path " + m_destination.string() + " exists and is not a folder");
    }
    // Missing parent folders are created by open(), after validation; the nearest existing one
    // must be a writable folder.
    fs::path existing = m_destination.parent_path();
    while (!existing.empty() && !fs::exists(existing, ec)) existing = existing.parent_path();
    if (!fs::is_directory(existing, ec)) {
        throw Error("cannot write outputs: " + existing.string() + " is not a folder");
    }
    if (access(existing.c_str(), W_OK | X_OK) != 0) {
        throw Error("cannot write outputs: folder " + existing.string() + " is not writable");
    }
    m_temp = m_destination.parent_path() / ("." + m_destination.filename().string() + ".tmp-" + std::to_string(getpid()));
}

OutputDir::~OutputDir() {
    if (m_committed || m_temp.empty()) return;
    std::error_code ec;
    fs::remove_all(m_temp, ec);
    if (ec) spdlog::warn("could not remove temporary folder {}: {}", m_temp.string(), ec.message());
}

void OutputDir::open() {
    std::error_code ec;
    fs::create_directories(m_destination.parent_path(), ec);
    remove_stale_temporaries(m_destination.parent_path(), "." + m_destination.filename().string());
    fs::remove_all(m_temp, ec);
    if (!fs::create_directory(m_temp, ec)) {
        throw Error("cannot create temporary output folder " + m_temp.string() + ": " + ec.message());
    }
}

fs::path OutputDir::file(const fs::path& relative) const { return m_temp / relative; }

void OutputDir::commit() {
    std::error_code ec;
    fs::path old;
    if (fs::exists(m_destination, ec)) {
        if (!m_overwrite) throw UsageError("output folder " + m_destination.string() + " appeared during the run");
        old = m_destination.parent_path() / ("." + m_destination.filename().string() + ".old-" + std::to_string(getpid()));
        fs::rename(m_destination, old, ec);
        if (ec) throw Error("cannot move the previous outputs aside: " + ec.message());
    }
    fs::rename(m_temp, m_destination, ec);
    if (ec) {
        if (!old.empty()) fs::rename(old, m_destination, ec);  // put the previous outputs back
        throw Error("cannot move outputs into " + m_destination.string() + ": " + ec.message());
    }
    m_committed = true;
    if (!old.empty()) fs::remove_all(old, ec);
}

}  // namespace phusong::io
