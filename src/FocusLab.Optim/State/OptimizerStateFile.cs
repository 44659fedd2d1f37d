namespace FocusLab.Optim;

/// <summary>Saves optimizer state to a file atomically: an interrupted write never destroys the previous file.</summary>
public static class OptimizerStateFile
{
    /// <summary>Writes the optimizer's state (<see cref="OptimizerStateFormat"/>) to a temporary file beside <paramref name="path"/>, flushes it to disk and renames it over <paramref name="path"/>.</summary>
    /// <param name="optimizer">The optimizer whose step count, hyperparameters and buffers are saved.</param>
    /// <param name="path">The file to create or replace.</param>
    public static void Save(Optimizer optimizer, string path) =>
        Save(optimizer, path, static tmp => new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None));

    /// <summary>As <see cref="Save(Optimizer, string)"/>; <paramref name="openTemporary"/> opens the temporary file (a seam for fault-injection tests).</summary>
    internal static void Save(Optimizer optimizer, string path, Func<string, Stream> openTemporary)
    {
        string full = Path.GetFullPath(path);
        string tmp = full + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var stream = openTemporary(tmp))
            {
                optimizer.SaveState(stream);
                if (stream is FileStream fs) fs.Flush(flushToDisk: true);
                else stream.Flush();
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Restores state saved by <see cref="Save(Optimizer, string)"/> into an optimizer over the same parameter names and shapes; a missing, corrupt or mismatched file throws and leaves the optimizer unchanged.</summary>
    /// <param name="optimizer">The optimizer to restore, built with the same id and parameters as the saved one.</param>
    /// <param name="path">The state file.</param>
    public static void Load(Optimizer optimizer, string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Optimizer state file '{path}' does not exist.", path);
        using var fs = File.OpenRead(path);
        optimizer.LoadState(fs);
    }
}
