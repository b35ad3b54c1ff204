/// FedImage reads image data (NumPy .npz arrays, folders of PNG files per class) and turns
/// images into model inputs: resizing, channels, normalisation and seeded augmentation.
enum FedImage {}
