namespace FocusLab.Engine.Kernels;

/// <summary>
/// A scratch array per thread, reused across calls so kernels allocate nothing once warm. The owner
/// type keys the buffer: kernels that may be active on one thread at the same time (e.g. BatchNorm
/// calling <see cref="ColumnReduction"/>) each get their own. Contents are undefined on return.
/// </summary>
internal static class ThreadScratch<TOwner, T>
{
    [ThreadStatic] private static T[]? t_buffer;

    /// <summary>An array of at least <paramref name="length"/> elements, owned by the calling thread.</summary>
    public static T[] Get(int length)
    {
        var b = t_buffer;
        if (b is null || b.Length < length) t_buffer = b = new T[length];
        return b;
    }
}
