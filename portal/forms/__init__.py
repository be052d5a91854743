"""The portal's forms, one module per part of the portal."""
