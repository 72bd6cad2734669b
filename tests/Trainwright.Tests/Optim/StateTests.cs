using TorchSharp;
using Trainwright.Optim;
using static TorchSharp.torch;

namespace Trainwright.Tests.Optim;

public class StateTests
{
    public static TheoryData<string> Kinds => new() { "sgd", "sgd-nesterov-decoupled", "adam", "adamw" };

    private static Optimizer Make(string kind, IEnumerable<TorchSharp.Modules.Parameter> ps) => kind switch
    {
        "sgd" => new Sgd(ps, 0.1, mom: 0.9, wd: 0.01),
        "sgd-nesterov-decoupled" => new Sgd(ps, 0.1, mom: 0.9, wd: 0.01, WeightDecayMode.Decoupled, nesterov: true),
        "adam" => new Adam(ps, 0.01, wd: 0.01),
        "adamw" => AdamW.Create(ps, 0.01),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void SaveAndLoadMidwayContinuesBitIdentically(string kind)
    {
        using var uninterrupted = new TinyProblem();
        using (var opt = Make(kind, uninterrupted.Parameters))
            uninterrupted.Train(20, opt.ZeroGrad, opt.Step);

        using var resumed = new TinyProblem();
        using var stream = new MemoryStream();
        using (var first = Make(kind, resumed.Parameters))
        {
            resumed.Train(10, first.ZeroGrad, first.Step);
            first.Groups[0][Hyper.Lr] *= 0.5; // a changed hyperparameter must travel with the state
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            first.SaveState(writer);
        }
        stream.Position = 0;
        using var second = Make(kind, resumed.Parameters);
        using (var reader = new BinaryReader(stream)) second.LoadState(reader);
        Assert.Equal(Make(kind, []).Groups[0][Hyper.Lr] * 0.5, second.Groups[0][Hyper.Lr]);
        second.Groups[0][Hyper.Lr] *= 2;
        resumed.Train(10, second.ZeroGrad, second.Step);

        Assert.True(TinyProblem.BitEqual(uninterrupted.Snapshot(), resumed.Snapshot()));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void CaptureAndRestoreUndoATrialRunExactly(string kind)
    {
        using var reference = new TinyProblem();
        using (var opt = Make(kind, reference.Parameters))
            reference.Train(15, opt.ZeroGrad, opt.Step);

        using var p = new TinyProblem();
        using var o = Make(kind, p.Parameters);
        p.Train(5, o.ZeroGrad, o.Step);
        var optimizerState = o.CaptureState();
        var weights = p.Parameters.Select(q => q.detach().clone()).ToArray();

        // A trial run, like a learning-rate finder's, with its own hyperparameters.
        o.Groups[0][Hyper.Lr] = 1.0;
        p.Train(7, o.ZeroGrad, o.Step);

        o.RestoreState(optimizerState);
        using (no_grad())
            foreach (var (q, w) in p.Parameters.Zip(weights)) q.copy_(w);
        p.Train(10, o.ZeroGrad, o.Step);

        Assert.True(TinyProblem.BitEqual(reference.Snapshot(), p.Snapshot()));
    }

    [Fact]
    public void LoadIntoMismatchedShapesFailsClearlyAndChangesNothing()
    {
        using var p = new TinyProblem();
        using var source = new Sgd(p.Parameters, 0.1, mom: 0.9);
        p.Train(2, source.ZeroGrad, source.Step);
        var state = source.CaptureState();

        // Same number of groups and parameters, but the first Linear maps 10 → 4 instead of 10 → 5.
        using var other = nn.Sequential(nn.Linear(10, 4), nn.ReLU(), nn.Linear(4, 3));
        using var target = new Sgd(other.parameters(), 0.2, mom: 0.9);
        var ex = Assert.Throws<InvalidDataException>(() => target.RestoreState(state));
        Assert.Contains("shape [5, 10]", ex.Message);
        Assert.Contains("shape [4, 10]", ex.Message);
        Assert.Contains("momentum_buffer", ex.Message);
        Assert.Equal(0.2, target.Groups[0][Hyper.Lr]);
    }

    [Fact]
    public void LoadIntoDifferentGroupsOrOptimizerFailsClearly()
    {
        using var p = new TinyProblem();
        var ps = p.Parameters;
        using var source = new Sgd(ps, 0.1, mom: 0.9);
        var state = source.CaptureState();

        using var twoGroups = new Sgd([ps[..2], ps[2..]], 0.1, mom: 0.9);
        Assert.Contains("1 parameter group(s) but this Sgd has 2", Assert.Throws<InvalidDataException>(() => twoGroups.RestoreState(state)).Message);

        using var fewer = new Sgd(ps[..3], 0.1, mom: 0.9);
        Assert.Contains("4 parameter(s) but group 0 of this Sgd has 3", Assert.Throws<InvalidDataException>(() => fewer.RestoreState(state)).Message);

        using var adam = new Adam(ps, 0.1);
        Assert.Contains("saved by Sgd", Assert.Throws<InvalidDataException>(() => adam.RestoreState(state)).Message);

        Assert.Throws<InvalidDataException>(() => source.RestoreState([1, 2, 3, 4]));
    }
}
