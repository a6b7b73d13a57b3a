namespace Kvpr.Text
{
    /// <summary>Why a sequence stopped: its token limit, an end-of-sequence token, or a stop string.</summary>
    public enum FinishReason { Length, Eos, Stop }
}
