#pragma once
/// Guards for the files a run reads. A FIFO, a device (/dev/zero) or a socket given as an input
/// blocks the open or never reaches its end, and a blocked read does not see SIGINT; such paths are
/// refused before anything opens them, and whole-file reads are bounded.

#include <cstdint>
#include <filesystem>
#include <string>

namespace phusong {

/// What a path is when it is neither a regular file nor a folder: "a FIFO", "a character device",
/// "a block device", "a socket"; "" for a regular file, a folder or a path that does not exist
/// (those are reported by the callers with their own messages). Symbolic links are followed.
[[nodiscard]] std::string special_file_kind(const std::filesystem::path& path);

/// The message for a special file: "<path> is a FIFO, not a regular file: …the fix".
[[nodiscard]] std::string special_file_message(const std::filesystem::path& path, const std::string& kind);

/// Throws InputError(path, where, "is a FIFO, not a regular file: …") when `path` is a special
/// file (see special_file_kind).
void require_not_special(const std::filesystem::path& path, const std::string& where = "");

/// The whole content of a regular file of at most `max_bytes`; InputError (naming `what`) when it
/// is a special file, cannot be read or is larger. Checks the interrupt flag between blocks.
[[nodiscard]] std::string read_input_file(const std::filesystem::path& path, std::uintmax_t max_bytes,
                                          const std::string& what);

}  // namespace phusong
