namespace Trainwright.Callbacks;

/// <summary>Whether a monitored value improves by going down or up.</summary>
public enum MonitorMode
{
    /// <summary>Lower is better for names containing "loss" or "error", higher otherwise.</summary>
    Auto,
    /// <summary>Lower is better (losses).</summary>
    Min,
    /// <summary>Higher is better (accuracy).</summary>
    Max,
}
