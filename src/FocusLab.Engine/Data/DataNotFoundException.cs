namespace FocusLab.Engine.Data;

/// <summary>
/// A dataset or corpus was not found where it was looked for. The message says where it looked and
/// how to fix it (which Debian package to install, or which --data option to pass).
/// </summary>
public sealed class DataNotFoundException : FileNotFoundException
{
    public DataNotFoundException(string message, string searchedPath) : base(message, searchedPath)
    {
        SearchedPath = searchedPath;
    }

    /// <summary>The folder or file that was searched.</summary>
    public string SearchedPath { get; }
}
