using TorchSharp;
using Trainwright.Learning;
using static TorchSharp.torch;

namespace Trainwright.Callbacks;

/// <summary>
/// Puts the model and every batch on one device (by default <see cref="Devices.Best"/>: CUDA when available). It moves the
/// model in <see cref="Event.BeforeFit"/>, before anyone builds the optimizer (moving a TorchSharp module replaces its
/// Parameter objects, so an optimizer built earlier would update tensors the model no longer uses), and each batch in
/// <see cref="Event.BeforeBatch"/>, before transforms or the model read it. Nothing is copied when things are already there.
/// </summary>
public sealed class DevicePlacement : Callback
{
    /// <summary>Creates the callback for <paramref name="device"/> (default: <see cref="Devices.Best"/>).</summary>
    public DevicePlacement(Device? device = null) => Device = device ?? Devices.Best();

    /// <summary>The device the model and batches are put on.</summary>
    public Device Device { get; }

    /// <inheritdoc />
    public override CallbackPhases RunsIn => CallbackPhases.Fit | CallbackPhases.LrFind | CallbackPhases.Inference;

    /// <inheritdoc />
    public override int Order => CallbackOrder.Device;

    /// <inheritdoc />
    public override string Name => "Device";

    /// <summary>True when the last <see cref="Event.BeforeFit"/> had to move the model.</summary>
    public bool MovedModel { get; private set; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The model must move but the learner already built its optimizer.</exception>
    public override void BeforeFit()
    {
        var l = Learner;
        var model = l.Model;
        MovedModel = model.parameters().Any(p => !Devices.Same(p.device, Device))
                     || model.buffers().Any(b => !Devices.Same(b.device, Device));
        if (!MovedModel) return;
        if (l.HasOptimizer)
            throw new InvalidOperationException(
                $"The model is on {Devices.Of(model)} and must move to {Device}, but the learner already built its optimizer over "
                + "the current parameters (moving a module replaces them). Add the Device callback when creating the Learner, "
                + "before anything uses learner.Opt, or move the model yourself and call learner.ResetOptimizer().");
        model.to(Device);
    }

    /// <inheritdoc />
    public override void BeforeBatch()
    {
        // The copies are made inside the batch's dispose scope, so they die with the batch like the originals.
        // Copies to an accelerator may overlap with other work (the device queue orders them before any use);
        // a copy to the CPU must be finished before the CPU reads it, so it blocks.
        var l = Learner;
        bool nonBlocking = Device.type != DeviceType.CPU;
        var xb = l.Xb;
        if (!Devices.Same(xb.device, Device)) l.Xb = xb.to(Device, non_blocking: nonBlocking);
        var yb = l.Yb;
        if (!Devices.Same(yb.device, Device)) l.Yb = yb.to(Device, non_blocking: nonBlocking);
    }

    /// <inheritdoc />
    public override string ToString() => $"Device({Device})";
}
