namespace FocusLab.Engine.Checkpoints;

/// <summary>
/// A checkpoint file that cannot be trusted: not a checkpoint, written by an unsupported format
/// version, truncated, or corrupted (checksum mismatch). The message names the file and the problem.
/// </summary>
public sealed class CheckpointFormatException : IOException
{
    /// <summary>The error for <paramref name="path"/>; the message is "Checkpoint '{path}' {problem}".</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="problem">What is wrong, phrased to follow the file name (e.g. "is truncated").</param>
    public CheckpointFormatException(string path, string problem)
        : base($"Checkpoint '{path}' {problem}")
    {
        FilePath = path;
    }

    /// <summary>The file that failed to load.</summary>
    public string FilePath { get; }
}
