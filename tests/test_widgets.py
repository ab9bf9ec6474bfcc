"""The latent explorer widget, driven headless: set .value as a frontend would and read back."""
import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent
from matplotlib.figure import Figure

from vae_teach.nets.model import AE, VAE
from vae_teach.widgets.explorer import LatentExplorer


# ipympl 0.10 builds its toolbar with an argument traitlets deprecates; harmless here.
pytestmark = pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.uniform(0, 1, (40, 64)).astype(np.float32), np.arange(40) % 10


@pytest.fixture(scope="module")
def models():
    return {"VAE": VAE(64, 2, hidden=[32], seed=0), "AE": AE(64, 2, hidden=[32], seed=1)}


def _use(backend: str):
    import matplotlib.pyplot as plt

    old = plt.get_backend()
    plt.switch_backend("module://ipympl.backend_nbagg" if backend == "ipympl" else "agg")
    return lambda: plt.switch_backend(old)


@pytest.fixture
def explorer(models, data):
    """The explorer as in the notebook: %matplotlib widget (ipympl), no frontend attached."""
    restore = _use("ipympl")
    ex = LatentExplorer(models, data, n_interp=5, grid=3)
    yield ex
    ex.close()
    restore()


@pytest.fixture
def static_explorer(models, data):
    """Without ipympl (plain Agg backend) the map is a picture that follows the state."""
    restore = _use("agg")
    ex = LatentExplorer(models, data, n_interp=3, grid=2)
    yield ex
    ex.close()
    restore()


def _error(ex) -> bool:
    return "cf222e" in ex.message.value


def test_builds_and_draws_everything(explorer):
    assert explorer.interactive and explorer.map_view is explorer.fig.canvas
    for view in (explorer.image, explorer.strip, explorer.prior):
        assert bytes(view.value).startswith(b"\x89PNG")
    assert not _error(explorer)
    assert "VAE: z = (0.00, 0.00)" in explorer.message.value
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_slider_change_redraws_the_decoded_image(explorer):
    before_png, before_marker = explorer.image.value, explorer._marker.get_xydata().copy()
    explorer.sliders[0].value = 1.5
    explorer.sliders[1].value = -0.75
    assert explorer.image.value != before_png
    np.testing.assert_allclose(explorer.z, [1.5, -0.75])
    np.testing.assert_allclose(explorer._marker.get_xydata(), [[1.5, -0.75]])
    assert not np.allclose(before_marker, [[1.5, -0.75]])
    assert "(1.50, -0.75)" in explorer.message.value and not _error(explorer)


@pytest.mark.parametrize("bad, match", [("9, 0", "outside"), ([0.0, -12.0], "outside"),
                                        ("one, two", "two numbers"), ("1, 2, 3", "two numbers"),
                                        ([np.inf, 0.0], "infinite")])
def test_bad_input_is_a_message_not_an_exception(explorer, bad, match):
    explorer.go_to("1, 1")
    before = explorer.image.value
    explorer.go_to(bad)          # must not raise
    assert _error(explorer) and match in explorer.message.value
    assert explorer.image.value == before
    np.testing.assert_allclose(explorer.z, [1.0, 1.0])


def test_typed_z_moves_the_sliders(explorer):
    explorer.z_text.value = "-2.5; 0.5"
    np.testing.assert_allclose(explorer.z, [-2.5, 0.5])
    assert not _error(explorer)


def test_sliders_clamp_to_their_range(explorer):
    explorer.sliders[0].value = 100.0    # what a frontend cannot send, ipywidgets clamps
    assert explorer.z[0] == explorer.entry.limit and not _error(explorer)


def test_click_on_the_map_decodes_there(explorer):
    explorer.fig.canvas.draw()
    x, y = explorer.ax.transData.transform((1.0, -2.0))
    event = MouseEvent("button_press_event", explorer.fig.canvas, x, y, button=1)
    explorer.fig.canvas.callbacks.process("button_press_event", event)
    np.testing.assert_allclose(explorer.z, [1.0, -2.0], atol=0.05)
    assert not _error(explorer)


def test_switching_model_changes_map_images_and_range(explorer, models, data):
    explorer.go_to([0.5, 0.5])
    vae_png, vae_prior = explorer.image.value, explorer.prior.value
    explorer.model_select.value = "AE"
    assert explorer.entry.model is models["AE"]
    assert explorer.image.value != vae_png and explorer.prior.value != vae_prior
    assert explorer.message.value.count("AE:") == 1 and not _error(explorer)
    codes = explorer.entry.Z
    assert explorer.sliders[0].max == explorer.entry.limit >= np.abs(codes).max()
    assert sum(len(c.get_offsets()) for c in explorer.ax.collections) == len(data[1])


def test_interpolation_pair_and_prior_resampling(explorer):
    strip, path = explorer.strip.value, explorer._path.get_xydata().copy()
    explorer.index[1].value = 7
    assert explorer.strip.value != strip
    Z = explorer.entry.Z
    np.testing.assert_allclose(explorer._path.get_xydata()[[0, -1]], Z[[0, 7]], rtol=1e-6)
    assert not np.allclose(path, explorer._path.get_xydata())
    prior, seed = explorer.prior.value, explorer.seed
    explorer.resample.click()
    assert explorer.seed == seed + 1 and explorer.prior.value != prior


def test_snapshot_is_a_static_figure_of_the_state(explorer):
    explorer.go_to([1.0, -1.0])
    fig = explorer.snapshot()
    assert isinstance(fig, Figure) and len(fig.axes) == 4
    assert "(1.00, -1.00)" in fig.axes[1].get_title()


def test_without_ipympl_the_map_is_a_picture_that_follows_the_slider(static_explorer):
    ex = static_explorer
    assert not ex.interactive and bytes(ex.map_view.value).startswith(b"\x89PNG")
    before, image = ex.map_view.value, ex.image.value
    ex.sliders[1].value = 2.0
    assert ex.map_view.value != before and ex.image.value != image and not _error(ex)
    assert "run %matplotlib widget" in ex.widget.children[1].children[1].children[3].value


def test_construction_rejects_models_without_2d_latent(data):
    with pytest.raises(ValueError, match=r"'wide'.*3-D latent space"):
        LatentExplorer({"wide": VAE(64, 3, hidden=[8])}, data)
    with pytest.raises(TypeError, match="non-empty dict"):
        LatentExplorer({}, data)
    with pytest.raises(ValueError, match="no \\(X, y\\) for \\['AE'\\]"):
        LatentExplorer({"VAE": VAE(64, 2, hidden=[8]), "AE": AE(64, 2, hidden=[8])},
                       {"VAE": data})


def test_marker_is_blitted_onto_the_map_as_a_full_draw_would_show_it(explorer):
    canvas = explorer.fig.canvas
    canvas.draw()                     # what the frontend triggers when the map first shows
    assert explorer._background is not None
    first = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
    explorer.go_to([2.0, -1.5])       # blit: background + marker + path, no full render
    blitted = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
    assert (blitted != first).any()
    canvas.draw()                     # a full render of the same state
    np.testing.assert_array_equal(np.asarray(canvas.get_renderer().buffer_rgba()), blitted)
