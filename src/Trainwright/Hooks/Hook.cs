using static TorchSharp.torch;

namespace Trainwright.Hooks;

/// <summary>
/// A forward hook on one module: after every <c>call()</c> of the module it receives the module's input and output.
/// Dispose removes it. Subclass and override <see cref="OnForward"/>, or pass a callback.
/// </summary>
/// <remarks>
/// TorchSharp fires hooks only through <c>Module.call</c> (Sequential does that), and Sequential disposes each
/// intermediate output once the next module has run — so a hook must copy or reduce to numbers whatever it keeps.
/// </remarks>
public class Hook : IDisposable
{
    private readonly Action<Hook, Tensor, Tensor>? callback;
    private nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>,
        Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover? remover;

    /// <summary>Registers a hook that calls <paramref name="onForward"/>(hook, input, output) after each forward.</summary>
    /// <param name="module">The module to observe.</param>
    /// <param name="onForward">Called with this hook, the module's input and its output; must not keep the tensors.</param>
    /// <param name="name">Label for reports; defaults to the module's type name.</param>
    public Hook(nn.Module<Tensor, Tensor> module, Action<Hook, Tensor, Tensor> onForward, string? name = null)
        : this(module, name)
    {
        ArgumentNullException.ThrowIfNull(onForward);
        callback = onForward;
    }

    /// <summary>Registers a hook whose work is done by an override of <see cref="OnForward"/>.</summary>
    /// <param name="module">The module to observe.</param>
    /// <param name="name">Label for reports; defaults to the module's type name.</param>
    protected Hook(nn.Module<Tensor, Tensor> module, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        Module = module;
        Name = name ?? module.GetType().Name;
        remover = module.register_forward_hook(Fire);
    }

    /// <summary>The observed module.</summary>
    public nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>Label for reports.</summary>
    public string Name { get; }

    /// <summary>How many forwards this hook has seen.</summary>
    public int Calls { get; private set; }

    /// <summary>True once the hook is removed from its module.</summary>
    public bool IsRemoved => remover is null;

    /// <summary>Handles one forward; the default calls the callback given to the constructor.</summary>
    /// <param name="input">The module's input (owned by the caller; copy what you keep).</param>
    /// <param name="output">The module's output (owned by the caller and possibly disposed soon after; copy what you keep).</param>
    protected virtual void OnForward(Tensor input, Tensor output) => callback?.Invoke(this, input, output);

    private Tensor Fire(nn.Module<Tensor, Tensor> module, Tensor input, Tensor output)
    {
        Calls++;
        OnForward(input, output);
        // Returning the output unchanged: a non-null return value replaces the module's result.
        return output;
    }

    /// <summary>Removes the hook from its module; later forwards are not observed.</summary>
    public void Dispose()
    {
        remover?.remove();
        remover = null;
        GC.SuppressFinalize(this);
    }
}
