// Placeholder: the analysis stage (issue #4) lands here.
namespace phusong::analysis {}
