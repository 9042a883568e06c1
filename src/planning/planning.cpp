// Placeholder: the planning stage (issue #5) lands here.
namespace phusong::planning {}
