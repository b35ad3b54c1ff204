/// FedTorch reads PyTorch checkpoints (`torch.save` state dicts, legacy and zip formats)
/// without Python: a restricted unpickler that builds tensors and refuses everything else.
enum FedTorch {}
