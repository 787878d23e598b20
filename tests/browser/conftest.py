"""Fixtures for the browser test: JupyterLab on the course, headless Chromium, and clean-up."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from lab.jupyter import JupyterLab, start, stop
from lab.paths import state_dir
from lab.services.process import stop_service
from tests.browser.chromium import start_chromium

VIEWPORT = {"width": 1400, "height": 900}
# JupyterLab settings for the test only: every cell in the page (no virtual scrolling), no
# autosave (the committed notebooks stay as built), no news or update checks (no network).
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}
SCREENSHOTS_KEY = pytest.StashKey[list[Path]]()


def write_settings(folder: Path) -> None:
    """Write SETTINGS as JupyterLab user settings under ``folder``."""
    for plugin, values in SETTINGS.items():
        path = folder / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@pytest.fixture(scope="session")
def browser_dir() -> Iterator[Path]:
    """A private folder for this run's JupyterLab settings, workspaces and browser profile."""
    with tempfile.TemporaryDirectory(prefix="lab-browser-") as tmp:
        yield Path(tmp)


@pytest.fixture(scope="session")
def jupyterlab(browser_dir: Path) -> Iterator[JupyterLab]:
    """JupyterLab on the course, as `make jupyter` starts it, with the test's settings."""
    write_settings(browser_dir / "settings")
    server = start(
        state_dir() / "browser",
        extra=[
            f"--LabApp.user_settings_dir={browser_dir / 'settings'}",
            f"--LabApp.workspaces_dir={browser_dir / 'workspaces'}",
            "--LabApp.news_url=None",
            "--LabApp.extension_manager=readonly",
        ],
    )
    try:
        yield server
    finally:
        stop(server)


@pytest.fixture(scope="session")
def browser(browser_dir: Path) -> Iterator[Browser]:
    """Debian's headless Chromium, started by PID, driven by Playwright over DevTools."""
    service, endpoint = start_chromium(browser_dir / "chromium")
    try:
        with sync_playwright() as playwright:
            connected = playwright.chromium.connect_over_cdp(endpoint, timeout=60_000)
            try:
                yield connected
            finally:
                connected.close()
    finally:
        stop_service(service)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A new tab for one notebook, closed afterwards."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture(scope="session")
def local_services_stopped() -> Iterator[None]:
    """Stop the local target's services after the run, as `make notebook-checks` does."""
    yield
    from lab.targets.local import LocalTarget

    LocalTarget(echo=lambda _: None).stop()


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> list[Path]:
    """Where a test records the screenshots it saved, for the summary at the end."""
    return request.config.stash.setdefault(SCREENSHOTS_KEY, [])


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Print the paths of the screenshots the browser test saved."""
    saved = config.stash.get(SCREENSHOTS_KEY, [])
    if saved:
        terminalreporter.section("screenshots")
        for path in saved:
            terminalreporter.write_line(str(path))
