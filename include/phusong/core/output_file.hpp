#pragma once
/// Writing a file so that a failure says why. A stream that fails ("cannot write x.csv") loses the
/// operating system's reason; a full disk, a quota, a read-only mount or a permission are each
/// fixed differently, so the message keeps the cause and the usual fix.

#include <filesystem>
#include <string>
#include <string_view>

namespace phusong {

/// "cannot write PATH: no space left on device: free space on that disk or give another output
/// folder (-o)", from the errno value of the failed call; the fix is added for the common causes.
[[nodiscard]] std::string write_failure_message(const std::filesystem::path& path, int err);

/// The errno value whose text (strerror) a library's error message carries, e.g. libtiff's
/// "_tiffWriteProc:No space left on device" → ENOSPC; 0 when none of the write causes is named.
[[nodiscard]] int write_cause_in(std::string_view message);

/// Writes `bytes` to `path` (created or truncated; flushed and closed before returning). Error
/// with write_failure_message on any failure, the partial file removed.
void write_output_file(const std::filesystem::path& path, std::string_view bytes);

/// Writes `bytes` to `path` through a temporary file beside it and a rename, so that a reader
/// never sees a half-written file and a failure leaves the previous file as it was. Error as
/// write_output_file, naming `path`.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

}  // namespace phusong
