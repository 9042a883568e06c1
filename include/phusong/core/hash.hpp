#pragma once
/// SHA-256 digests (OpenSSL EVP) for the run manifest.

#include <filesystem>
#include <string>
#include <string_view>

namespace phusong {

/// Lowercase hex SHA-256 of a byte string.
[[nodiscard]] std::string sha256_hex(std::string_view bytes);

/// Lowercase hex SHA-256 of a file's content. Throws InputError if it cannot be read.
[[nodiscard]] std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace phusong
