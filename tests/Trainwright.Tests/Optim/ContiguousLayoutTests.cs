using Trainwright.Optim;
using static TorchSharp.torch;

namespace Trainwright.Tests.Optim;

/// <summary>
/// SGD with momentum lays each parameter group out in contiguous tensors (parameters become views) and updates it with
/// a few calls. Whatever breaks that layout — a replaced gradient, a parameter given new storage, weights loaded into
/// the module — must leave the update exactly what torch.optim.SGD computes on an untouched copy.
/// </summary>
public class ContiguousLayoutTests
{
    [Fact]
    public void The_parameters_end_up_in_one_tensor_and_zero_grad_clears_every_gradient()
    {
        using var a = new TinyProblem();
        using var opt = new Sgd(a.Parameters, 0.1, mom: 0.9);
        a.Train(2, opt.ZeroGrad, opt.Step);
        var ps = a.Parameters;
        Assert.All(ps, p => Assert.Equal(ps[0].storage<float>().data_ptr(), p.storage<float>().data_ptr()));
        opt.ZeroGrad();
        Assert.All(ps, p => Assert.Equal(0f, p.grad!.abs().max().item<float>()));
    }

    [Fact]
    public void Updates_match_torch_when_gradients_parameters_and_loaded_weights_break_the_layout()
    {
        const int steps = 20;
        using var a = new TinyProblem();
        using var b = new TinyProblem();
        using var ours = new Sgd(a.Parameters, 0.1, mom: 0.9, wd: 0.01);
        using var theirs = optim.SGD(b.Parameters, 0.1, momentum: 0.9, weight_decay: 0.01);
        for (int i = 0; i < steps; i++)
        {
            ours.ZeroGrad();
            a.Backward();
            var p = a.Parameters[i % 4];
            using (no_grad())
            {
                switch (i)
                {
                    case 4: // a gradient replaced by a copy of itself
                        p.grad = p.grad!.clone();
                        break;
                    case 8: // a parameter given new storage holding the same values
                        p.set_(p.detach().clone());
                        break;
                    case 12: // the module's weights loaded from a saved copy of themselves
                        using (var stream = new MemoryStream())
                        {
                            using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) a.Model.save(w);
                            stream.Position = 0;
                            using var r = new BinaryReader(stream);
                            a.Model.load(r);
                        }
                        break;
                }
            }
            ours.Step();
            if (i == 15) a.Parameters[1].grad = a.Parameters[1].grad!.clone(); // after the step: zero_grad must still clear it
            theirs.zero_grad();
            b.Backward();
            theirs.step();
        }
        var diff = TinyProblem.MaxDifference(a.Snapshot(), b.Snapshot());
        Assert.True(diff <= 1e-6, $"parameters differ from torch's by {diff:G3}");
    }
}
