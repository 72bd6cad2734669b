using TorchSharp;
using Trainwright.Callbacks;
using Trainwright.Learning;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.Callbacks;

public class DevicePlacementTests
{
    /// <summary>Records the handle and device of the batch as seen at its order.</summary>
    private sealed class BatchProbe(int order) : Callback
    {
        public override int Order => order;
        public List<(IntPtr X, IntPtr Y, DeviceType XDev, DeviceType YDev)> Seen { get; } = [];
        public override void BeforeBatch() =>
            Seen.Add((Learner.Xb.Handle, Learner.Yb.Handle, Learner.Xb.device_type, Learner.Yb.device_type));
    }

    [Fact]
    public void OnTheCpuNothingIsMovedOrCopied()
    {
        var before = new BatchProbe(CallbackOrder.Device - 1);
        var after = new BatchProbe(CallbackOrder.Default);
        var device = new DevicePlacement(CPU);
        var learner = Tiny.Learner(callbacks: [device, before, after]);
        var parameters = learner.Model.parameters().Select(p => p.Handle).ToList();

        learner.Fit(1);

        Assert.Equal("Device", device.Name);
        Assert.Equal(DeviceType.CPU, device.Device.type);
        Assert.False(device.MovedModel);
        Assert.Equal(parameters, learner.Model.parameters().Select(p => p.Handle)); // the same Parameter objects
        Assert.All(learner.Model.parameters(), p => Assert.Equal(DeviceType.CPU, p.device_type));
        Assert.Equal(5 + 2, after.Seen.Count); // 40 training items in 8s, 20 validation items in 16s
        Assert.Equal(before.Seen, after.Seen); // same tensors: no copy was made
        Assert.All(after.Seen, s => Assert.Equal((DeviceType.CPU, DeviceType.CPU), (s.XDev, s.YDev)));
    }

    [Fact]
    public void MovesTheModelAndEveryBatchToAnotherDevice()
    {
        // No GPU here: the meta device (shapes without data) stands in for one, since the loop only needs shapes to run.
        var after = new BatchProbe(CallbackOrder.Default);
        var device = new DevicePlacement(META);
        // A linear model: relu has no meta kernel.
        manual_seed(4);
        var learner = new Learner(nn.Sequential(nn.Linear(6, 3)), Tiny.Data(), (p, y) => nn.functional.cross_entropy(p, y), PlainSgd.Factory, 0.1, [device, after]);
        var parameters = learner.Model.parameters().Select(p => p.Handle).ToList();

        learner.Fit(1);

        Assert.True(device.MovedModel);
        Assert.All(learner.Model.parameters(), p => Assert.Equal(DeviceType.META, p.device_type));
        Assert.NotEqual(parameters, learner.Model.parameters().Select(p => p.Handle));
        // The lazily built optimizer holds the moved parameters.
        Assert.Equal(learner.Model.parameters().Select(p => p.Handle), learner.Opt.Parameters.Select(p => p.Handle));
        Assert.Equal(7, after.Seen.Count);
        Assert.All(after.Seen, s => Assert.Equal((DeviceType.META, DeviceType.META), (s.XDev, s.YDev)));
    }

    [Fact]
    public void RefusesToMoveTheModelUnderAnOptimizerThatIsAlreadyBuilt()
    {
        var learner = Tiny.Learner(callbacks: [new DevicePlacement(META)]);
        _ = learner.Opt;
        var e = Assert.Throws<CallbackException>(() => learner.Fit(1));
        var inner = Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Contains("optimizer", inner.Message, StringComparison.Ordinal);
        Assert.Contains("ResetOptimizer", inner.Message, StringComparison.Ordinal);
        Assert.All(learner.Model.parameters(), p => Assert.Equal(DeviceType.CPU, p.device_type)); // left where it was
    }

    [Fact]
    public void DevicesCompareByTypeAndTreatIndexMinusOneAsAny()
    {
        Assert.True(Devices.Same(CPU, new Device(DeviceType.CPU, -1)));
        Assert.True(Devices.Same(new Device(DeviceType.CUDA, -1), new Device(DeviceType.CUDA, 1)));
        Assert.False(Devices.Same(new Device(DeviceType.CUDA, 0), new Device(DeviceType.CUDA, 1)));
        Assert.False(Devices.Same(CPU, META));
        Assert.Equal(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, Devices.Best().type);
        Assert.Equal(DeviceType.CPU, Devices.Of(Tiny.Model()).type);
    }
}
