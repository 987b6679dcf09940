import pytest

from popup.domain.addresses import street_of


@pytest.mark.parametrize(
    ("address", "street"),
    [
        ("Rue de Grammont 12, 7860 Lessines", "Rue de Grammont"),
        ("Grand-Place 3 bte 2, 7860 Lessines", "Grand-Place"),
        ("Rue des Quatre Fils Aymon 21A", "Rue des Quatre Fils Aymon"),
        ("12, rue de Grammont, 7860 Lessines", "Rue de Grammont"),
        ("12 rue de Grammont", "Rue de Grammont"),
        ("Place Alix de Rosoit 5/1, 7860 Lessines", "Place Alix de Rosoit"),
        ("Chaussée de Renaix, 7864 Deux-Acren", "Chaussée de Renaix"),
        ("Rue du 11 Novembre 4, 7860 Lessines", "Rue du 11 Novembre"),
        ("", None),
        ("7860", None),
    ],
)
def test_street_of(address, street):
    assert street_of(address) == street
