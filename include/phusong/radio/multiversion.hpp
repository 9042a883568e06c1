#pragma once
/// PHUSONG_AVX2_CLONES before a function compiles it twice (GCC function multiversioning): for
/// CPUs with AVX2, where its loops vectorise 4 doubles or 8 floats wide, and for any x86-64; the
/// loader picks one through an ifunc resolver. Neither clone uses FMA, so both give the same
/// numbers. In radio, the lowest module, so that every module can use it.
///
/// Not under ThreadSanitizer: the resolvers run while the dynamic loader relocates the program,
/// before TSan's runtime is set up, and an instrumented resolver crashes there (the `tsan`
/// preset's test_coverage died at start-up in terrain_delta_h's resolver). Not off x86-64,
/// which has no AVX2.
#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
#define PHUSONG_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PHUSONG_AVX2_CLONES
#endif
