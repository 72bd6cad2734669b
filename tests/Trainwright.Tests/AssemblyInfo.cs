// TorchSharp's default random generator is process-wide: tests that seed it (model construction, init checks,
// resume equality) would race with each other if test classes ran in parallel.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
