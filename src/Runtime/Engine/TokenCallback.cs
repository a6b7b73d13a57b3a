namespace Kvpr
{
    /// <summary>
    /// Told that <paramref name="sequence"/> (its index among the call's prompts) has just been given
    /// <paramref name="token"/>; returns true to stop that sequence after it.
    /// </summary>
    public delegate bool TokenCallback(int sequence, int token);
}
