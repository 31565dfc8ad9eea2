"""Tables, charts and workbooks made from roster results. Charts return Figures, never show."""
