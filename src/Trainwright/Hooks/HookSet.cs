using static TorchSharp.torch;

namespace Trainwright.Hooks;

/// <summary>A set of hooks on several modules, removed together on Dispose.</summary>
/// <typeparam name="THook">The kind of hook.</typeparam>
public sealed class HookSet<THook> : IDisposable, IReadOnlyList<THook> where THook : Hook
{
    private readonly List<THook> hooks;

    /// <summary>Takes ownership of <paramref name="hooks"/>: disposing this set removes them all.</summary>
    /// <param name="hooks">Already registered hooks.</param>
    public HookSet(IEnumerable<THook> hooks)
    {
        ArgumentNullException.ThrowIfNull(hooks);
        this.hooks = hooks.ToList();
    }

    /// <inheritdoc/>
    public THook this[int index] => hooks[index];

    /// <inheritdoc/>
    public int Count => hooks.Count;

    /// <inheritdoc/>
    public IEnumerator<THook> GetEnumerator() => hooks.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Removes every hook from its module.</summary>
    public void Dispose()
    {
        foreach (var hook in hooks) hook.Dispose();
    }
}

/// <summary>Factories for <see cref="HookSet{THook}"/>.</summary>
public static class HookSet
{
    /// <summary>Registers one hook per module with <paramref name="create"/>.</summary>
    /// <typeparam name="THook">The kind of hook.</typeparam>
    /// <param name="modules">The modules to hook (see <see cref="LayerSelection"/>).</param>
    /// <param name="create">Builds and registers the hook for one module.</param>
    public static HookSet<THook> Register<THook>(IEnumerable<NamedModule> modules, Func<NamedModule, THook> create)
        where THook : Hook
    {
        ArgumentNullException.ThrowIfNull(modules);
        ArgumentNullException.ThrowIfNull(create);
        var made = new List<THook>();
        try
        {
            foreach (var m in modules) made.Add(create(m));
        }
        catch
        {
            foreach (var h in made) h.Dispose();
            throw;
        }
        return new HookSet<THook>(made);
    }

    /// <summary>Registers a callback hook on each module.</summary>
    /// <param name="modules">The modules to hook.</param>
    /// <param name="onForward">Called with (hook, input, output) after each forward; must not keep the tensors.</param>
    public static HookSet<Hook> Register(IEnumerable<NamedModule> modules, Action<Hook, Tensor, Tensor> onForward) =>
        Register(modules, m => new Hook(m.Module, onForward, m.Name));

    /// <summary>Registers a <see cref="StatsHook"/> on each module.</summary>
    /// <param name="modules">The modules to hook.</param>
    /// <param name="options">What to measure; <see cref="StatsOptions.Default"/> when null.</param>
    public static HookSet<StatsHook> ForStats(IEnumerable<NamedModule> modules, StatsOptions? options = null) =>
        Register(modules, m => new StatsHook(m.Module, options, m.Name));
}
