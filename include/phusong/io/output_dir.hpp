#pragma once
/// Atomic output folder: everything is written into a temporary folder beside the destination and
/// renamed into place only when the run succeeds. An existing destination is replaced only with
/// `overwrite`, and only at the very end; a failed or interrupted run leaves it as it was.

#include <filesystem>
#include <string>

namespace phusong::io {

/// Removes the temporary folders `<prefix>.tmp-PID` and `<prefix>.old-PID` in `dir` whose
/// process no longer runs (a run killed with SIGKILL or by a power cut leaves them), saying so
/// once per folder. Folders of a process that still runs are left alone. Returns how many went.
std::size_t remove_stale_temporaries(const std::filesystem::path& dir, const std::string& prefix);

class OutputDir {
public:
    /// Checks, before any work is done, that the destination can be written: UsageError if it
    /// exists and `overwrite` is false, Error if its nearest existing parent cannot be written.
    /// Creates nothing.
    OutputDir(std::filesystem::path destination, bool overwrite);
    ~OutputDir();  ///< removes the temporary folder unless committed
    OutputDir(const OutputDir&) = delete;
    OutputDir& operator=(const OutputDir&) = delete;

    /// Creates missing parent folders and the temporary folder (call once validation has passed).
    void open();
    /// Path of a file inside the temporary folder.
    [[nodiscard]] std::filesystem::path file(const std::filesystem::path& relative) const;
    /// Moves the temporary folder into place (replacing a previous destination if allowed).
    void commit();
    [[nodiscard]] const std::filesystem::path& destination() const noexcept { return m_destination; }

private:
    std::filesystem::path m_destination;
    std::filesystem::path m_temp;
    bool m_overwrite;
    bool m_committed = false;
};

}  // namespace phusong::io
