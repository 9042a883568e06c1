#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cerrno>

#include "phusong/core/error.hpp"
#include "phusong/core/hash.hpp"
#include "phusong/core/input_file.hpp"
#include "phusong/core/output_file.hpp"
#include "phusong/core/toml_reader.hpp"
#include "test_util.hpp"

using namespace phusong;

TEST_CASE("exit codes follow the table of docs/reliability.md") {
    CHECK(static_cast<int>(Error("x").exit_code()) == 1);
    CHECK(static_cast<int>(UsageError("x").exit_code()) == 2);
    CHECK(static_cast<int>(InputError("f", "row 1", "bad").exit_code()) == 3);
    CHECK(static_cast<int>(InternalError("x").exit_code()) == 1);
}

TEST_CASE("an input error lists every problem with file and place") {
    ProblemList p;
    p.add("sites.csv", "row 17, field azimuth_deg", "value 400 is out of range");
    p.add("sites.csv", "row 18, field lat", "missing value");
    try {
        p.throw_if_any();
        FAIL("expected an InputError");
    } catch (const InputError& e) {
        CHECK(e.problems().size() == 2);
        const std::string msg = e.what();
        CHECK(msg.find("sites.csv, row 17, field azimuth_deg: value 400") != std::string::npos);
        CHECK(msg.find("row 18, field lat: missing value") != std::string::npos);
    }
    ProblemList none;
    CHECK_NOTHROW(none.throw_if_any());
}

TEST_CASE("edit distance and nearest key") {
    CHECK(edit_distance("", "") == 0);
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("resolution_mm", "resolution_m") == 1);
    const std::set<std::string> known = {"resolution_m", "margin_m", "tile_size_px", "epsg"};
    CHECK(nearest_key("resolutin_m", known) == std::optional<std::string>("resolution_m"));
    CHECK(nearest_key("tile_size", known) == std::optional<std::string>("tile_size_px"));
    CHECK_FALSE(nearest_key("colour_ramp", known).has_value());
}

TEST_CASE("sha256 matches the FIPS 180-2 test vector") {
    // FIPS 180-2 Appendix B.1: SHA-256("abc").
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("special files (FIFO, device) are refused before they are opened; whole-file reads are bounded") {
    test::TempDir dir;
    const auto fifo = dir.path() / "pipe";
    REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
    CHECK(special_file_kind(fifo) == "a FIFO");
    CHECK(special_file_kind("/dev/zero") == "a character device");
    CHECK(special_file_kind(dir.path()).empty());
    CHECK(special_file_kind(dir.path() / "missing").empty());
    const auto text = dir.write("a.txt", "0123456789");
    CHECK(special_file_kind(text).empty());
    // Each of these would block or never end without the check.
    CHECK_THROWS_WITH_AS(require_not_special(fifo, "key inputs.sites"),
                         doctest::Contains("key inputs.sites: the path is a FIFO, not a regular file"), InputError);
    CHECK_THROWS_WITH_AS((void)read_input_file("/dev/zero", 1 << 20, "scenario file"),
                         doctest::Contains("/dev/zero: the path is a character device"), InputError);
    CHECK_THROWS_WITH_AS((void)sha256_file_hex(fifo), doctest::Contains("is a FIFO"), InputError);
    CHECK(read_input_file(text, 10, "scenario file") == "0123456789");
    CHECK_THROWS_WITH_AS((void)read_input_file(text, 9, "scenario file"),
                         doctest::Contains("the scenario file is 10 bytes, more than the 9 bytes"), InputError);
}

TEST_CASE("a failed write keeps its cause: a full disk, a read-only place") {
    test::TempDir dir;
    const auto ok = dir.path() / "a.csv";
    write_output_file(ok, "x,y\n");
    CHECK(read_input_file(ok, 100, "table") == "x,y\n");
    write_file_atomically(ok, "z\n");
    CHECK(read_input_file(ok, 100, "table") == "z\n");
    // /dev/full fails every write with ENOSPC, as a full disk does (null(4)); it is not removed.
    if (std::filesystem::exists("/dev/full")) {
        CHECK_THROWS_WITH_AS(write_output_file("/dev/full", "x"),
                             "cannot write /dev/full: no space left on device: free space on that disk or give an "
                             "output folder on another one (-o)",
                             Error);
        CHECK(special_file_kind("/dev/full") == "a character device");
    }
    CHECK_THROWS_WITH_AS(write_output_file(dir.path() / "missing" / "a.csv", "x"),
                         doctest::Contains("missing/a.csv: no such file or directory"), Error);
    // Libraries state the cause in their own words.
    CHECK(write_cause_in("_tiffWriteProc:No space left on device") == ENOSPC);
    CHECK(write_cause_in("sqlite3_exec(INSERT …) failed: database or disk is full") == ENOSPC);
    CHECK(write_cause_in("TIFFWriteDirectorySec:IO error writing directory") == 0);
    CHECK(write_failure_message("x.tif", EROFS) ==
          "cannot write x.tif: read-only file system: the file system is mounted read-only: give an output folder "
          "on a writable one (-o)");
}
