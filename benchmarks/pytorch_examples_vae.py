"""Faithful re-implementation of pytorch/examples ``vae/main.py`` (the speed reference).

Source read: github.com/pytorch/examples, ``vae/main.py`` at commit 77f55b9 (2025-08-25).
Same model (784-400-20-400-784, ReLU, sigmoid output), same loss (BCE summed + KL summed),
Adam lr 1e-3, batch 128, shuffled ``torch.utils.data.DataLoader`` with the default collate and
``num_workers=0`` (the CPU branch of main.py passes no loader kwargs), ``torch.manual_seed(1)``.

torchvision is not installable here, so ``TorchvisionLikeMNIST`` emulates
``datasets.MNIST(root, train, transform=transforms.ToTensor())`` item by item: it holds the
uint8 images as a (N, 28, 28) tensor, and ``__getitem__`` does what torchvision's does —
``Image.fromarray(img.numpy(), mode="L")`` then ``ToTensor`` (uint8 HWC → float CHW / 255) —
returning ``((1, 28, 28) float32, int label)``.

Left out of main.py (I/O only, no effect on the numbers): ``save_image`` of reconstructions
and samples (needs torchvision) and printing the log lines (they are formatted, then dropped).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.utils.data
from PIL import Image
from torch import nn, optim
from torch.nn import functional as F


BATCH_SIZE = 128
LR = 1e-3
SEED = 1
LOG_INTERVAL = 10


def to_tensor(pic: Image.Image) -> torch.Tensor:
    """torchvision ``transforms.functional.to_tensor`` for a mode-"L" PIL image → (1, H, W) / 255."""
    img = torch.from_numpy(np.array(pic, np.uint8, copy=True))
    img = img.view(pic.size[1], pic.size[0], len(pic.getbands()))
    img = img.permute((2, 0, 1)).contiguous()
    return img.to(dtype=torch.get_default_dtype()).div(255)


class TorchvisionLikeMNIST(torch.utils.data.Dataset):
    """Per-item dataset as ``torchvision.datasets.MNIST(..., transform=ToTensor())`` gives.

    images: uint8 (N, 28, 28), labels: integer (N,).
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray):
        self.data = torch.from_numpy(np.ascontiguousarray(images, dtype=np.uint8))
        self.targets = torch.from_numpy(np.asarray(labels, dtype=np.int64))

    def __getitem__(self, index: int):
        img, target = self.data[index], int(self.targets[index])
        img = Image.fromarray(img.numpy(), mode="L")
        return to_tensor(img), target

    def __len__(self) -> int:
        return len(self.data)


def make_loaders(train_images, train_labels, test_images, test_labels,
                 batch_size: int = BATCH_SIZE):
    """main.py's ``train_loader`` (shuffle=True) and ``test_loader`` (shuffle=False)."""
    train_loader = torch.utils.data.DataLoader(
        TorchvisionLikeMNIST(train_images, train_labels), batch_size=batch_size, shuffle=True)
    test_loader = torch.utils.data.DataLoader(
        TorchvisionLikeMNIST(test_images, test_labels), batch_size=batch_size, shuffle=False)
    return train_loader, test_loader


class VAE(nn.Module):
    """main.py's VAE: fc1 784→400, fc21/fc22 400→20 (mu, logvar), fc3 20→400, fc4 400→784."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    """Reconstruction + KL divergence losses summed over all elements and batch (nats)."""
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def setup(seed: int = SEED):
    """``torch.manual_seed(seed)``, then the model and its Adam optimiser, as in main.py."""
    torch.manual_seed(seed)
    model = VAE()
    optimizer = optim.Adam(model.parameters(), lr=LR)
    return model, optimizer


def train(epoch: int, model, optimizer, train_loader, log_interval: int = LOG_INTERVAL,
          max_batches: int | None = None) -> float:
    """main.py's ``train(epoch)``; returns the average train loss per image (nats).

    ``max_batches`` stops early (smoke tests only).
    """
    model.train()
    train_loss = 0
    seen = 0
    log = []
    for batch_idx, (data, _) in enumerate(train_loader):
        if max_batches is not None and batch_idx >= max_batches:
            break
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = loss_function(recon_batch, data, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        seen += len(data)
        optimizer.step()
        if batch_idx % log_interval == 0:  # formatted as in main.py, not printed
            log.append("Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}".format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item() / len(data)))
    return train_loss / (len(train_loader.dataset) if max_batches is None else seen)


def test(model, test_loader) -> float:
    """main.py's ``test(epoch)`` without save_image: summed loss / len(test set) (nats)."""
    model.eval()
    test_loss = 0
    with torch.no_grad():
        for data, _ in test_loader:
            recon_batch, mu, logvar = model(data)
            test_loss += loss_function(recon_batch, data, mu, logvar).item()
    return test_loss / len(test_loader.dataset)


def sample(model) -> torch.Tensor:
    """main.py's per-epoch sample: decode 64 prior draws (the image file is not written)."""
    with torch.no_grad():
        return model.decode(torch.randn(64, 20))
